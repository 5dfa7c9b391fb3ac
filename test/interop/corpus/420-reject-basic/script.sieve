require "reject";
reject "Not accepted.";
