require "include";

keep;
return;
discard;
