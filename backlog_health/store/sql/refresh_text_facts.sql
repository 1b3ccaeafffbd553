-- Every stored item version's text facts, computed again by this release (text_facts_of is the
-- Python function text_facts.text_facts_of, registered on the connection).
update item_versions
set description_words = text_facts_of(description_text, custom_fields).description_words,
    acceptance_found = text_facts_of(description_text, custom_fields).acceptance_found
