with ordered as (
    select id, content_hash, taken_at
    from snapshots
    where backlog = $backlog
),

final as (
    select id, content_hash
    from ordered
    order by taken_at desc, id desc
    limit 1
)

select * from final
