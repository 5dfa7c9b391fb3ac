if exists "x:y" { discard; }
