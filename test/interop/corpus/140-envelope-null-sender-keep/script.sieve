require "envelope";
if envelope :contains "from" "@" { discard; }
