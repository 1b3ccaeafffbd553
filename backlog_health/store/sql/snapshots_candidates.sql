-- The stored candidate pairs of several snapshots at or above a score (see stored_candidates.sql):
-- per snapshot scanned by the current method down to that score, its pairs best first, or one
-- row with null keys when it has none; nothing for a snapshot not scanned so.
with scanned as (
    select distinct snapshot_id
    from duplicate_scans
    where list_contains($snapshot_ids, snapshot_id)
      and method = $method
      and min_score <= $min_score
),

final as (
    select s.snapshot_id, c.key_a, c.key_b, c.score
    from scanned as s
    left join duplicate_candidates as c on c.snapshot_id = s.snapshot_id and c.score >= $min_score
    order by s.snapshot_id, c.score desc, c.key_a, c.key_b
)

select * from final
