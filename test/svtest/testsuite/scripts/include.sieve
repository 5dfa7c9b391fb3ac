require "include";
include :personal "sub";
