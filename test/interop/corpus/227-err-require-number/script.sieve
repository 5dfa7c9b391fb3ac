require 5;
