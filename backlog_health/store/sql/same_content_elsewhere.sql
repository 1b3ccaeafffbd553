-- The other backlogs whose latest snapshot has the same content hash as snapshot $snapshot_id.
with this as (
    select backlog, content_hash from snapshots where id = $snapshot_id
),

latest as (
    select
        backlog,
        content_hash,
        row_number() over (partition by backlog order by taken_at desc, id desc) as newest
    from snapshots
),

final as (
    select latest.backlog
    from latest
    inner join this on latest.content_hash = this.content_hash and latest.backlog <> this.backlog
    where latest.newest = 1
)

select * from final order by backlog
