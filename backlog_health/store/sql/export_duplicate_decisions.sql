-- The duplicate decisions for a Parquet export, partitioned by backlog only (a decision
-- belongs to a backlog, not to a snapshot); $backlog null exports every backlog.
with final as (
    select *
    from duplicate_decisions
    where $backlog is null or backlog = $backlog
    order by backlog, key_a, key_b
)

select * from final
