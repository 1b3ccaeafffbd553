with final as (
    select backlog, count(*) as snapshots, max(taken_at) as latest
    from snapshots
    group by backlog
    order by backlog
)

select * from final
