require "include";

include "depth-3";
