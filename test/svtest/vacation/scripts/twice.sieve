require "vacation";
vacation "one";
vacation :handle "b" "two";
