require "vacation";
vacation :addresses ["carol@example.com"] "Away.";
