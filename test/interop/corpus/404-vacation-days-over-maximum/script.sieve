require "vacation";
vacation :days 100 "Away for long.";
