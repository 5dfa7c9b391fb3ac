require "ereject";
ereject "Refused by filter.";
