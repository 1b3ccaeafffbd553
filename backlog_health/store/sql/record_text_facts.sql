-- The fingerprint of the release that computed the stored text facts (the only row).
insert into text_facts_state values ($fingerprint)
