-- The texts a duplicate scan reads: key, summary and description of a snapshot's backlog items.
with final as (
    select key, summary, description_text
    from items
    where snapshot_id = $snapshot_id
      and is_backlog
    order by key
)

select * from final
