require "include";

include "depth-1";
