-- The stored candidate pairs of a snapshot at or above a score, if a scan of the current
-- method covering that score exists (no rows and scanned = false otherwise).
with scan as (
    select snapshot_id
    from duplicate_scans
    where snapshot_id = $snapshot_id
      and method = $method
      and min_score <= $min_score
),

final as (
    select c.key_a, c.key_b, c.score
    from duplicate_candidates as c
    join scan on c.snapshot_id = scan.snapshot_id
    where c.score >= $min_score
    order by c.score desc, c.key_a, c.key_b
)

select * from final
