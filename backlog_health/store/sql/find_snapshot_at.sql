-- The snapshot of a backlog observed at exactly this time, a real one before a rebuilt one:
-- a rebuilt snapshot is not stored where any snapshot of that moment already is.
with same_moment as (
    select id, list_contains($rebuilt_kinds, source_kind) as rebuilt
    from snapshots
    where backlog = $backlog and taken_at = $taken_at
),

final as (
    select id
    from same_moment
    order by rebuilt, id
    limit 1
)

select * from final
