require "reject";

reject "Not for me.";
keep;
