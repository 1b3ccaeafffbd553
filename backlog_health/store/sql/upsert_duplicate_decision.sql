insert or replace into duplicate_decisions (backlog, key_a, key_b, decision, decided_at)
values ($backlog, $key_a, $key_b, $decision, $decided_at)
