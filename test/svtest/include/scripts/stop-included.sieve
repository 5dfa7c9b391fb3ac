require "include";

include "stops";
discard;
