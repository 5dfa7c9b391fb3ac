require "vacation";
vacation :days 30 "Away for a month.";
