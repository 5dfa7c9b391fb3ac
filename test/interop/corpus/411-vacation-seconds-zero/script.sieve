require "vacation-seconds";
vacation :seconds 0 "We received your request.";
