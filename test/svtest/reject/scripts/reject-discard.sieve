require "reject";

reject "Not for me.";
discard;
