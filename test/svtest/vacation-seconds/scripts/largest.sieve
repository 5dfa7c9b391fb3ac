require "vacation-seconds";

vacation :seconds 2147483647 "Gone for good.";
