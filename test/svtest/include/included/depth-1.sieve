require "include";

include "depth-2";
