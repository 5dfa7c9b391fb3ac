require "reject";
reject "Not accepted.";
discard;
