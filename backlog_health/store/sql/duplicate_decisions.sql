with final as (
    select key_a, key_b, decision, decided_at
    from duplicate_decisions
    where backlog = $backlog
    order by key_a, key_b
)

select * from final
