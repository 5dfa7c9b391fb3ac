require "include";

include "broken";
