require "ihave";
error "bad thing";
