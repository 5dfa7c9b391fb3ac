require "include";

global "shared";
