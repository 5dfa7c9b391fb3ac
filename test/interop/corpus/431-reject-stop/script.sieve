require "reject";
reject "Not accepted.";
stop;
keep;
