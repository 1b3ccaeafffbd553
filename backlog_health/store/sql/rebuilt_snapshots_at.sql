-- The rebuilt snapshots of a backlog at exactly this time: a real snapshot of the same moment
-- replaces them.
with final as (
    select id
    from snapshots
    where backlog = $backlog and taken_at = $taken_at and list_contains($rebuilt_kinds, source_kind)
)

select * from final
