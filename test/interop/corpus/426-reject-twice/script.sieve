require "reject";
reject "Not accepted.";
reject "Still not.";
