require "reject";
keep;
reject "Not accepted.";
