-- The fingerprint of the release that computed the stored text facts (null: never computed).
with final as (
    select max(fingerprint) as fingerprint
    from text_facts_state
)

select * from final
