require "ihave";
error 5;
