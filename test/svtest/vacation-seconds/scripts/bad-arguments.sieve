require "vacation-seconds";

vacation :days 1 :seconds 3600 "I am in a meeting.";
vacation :seconds 2147483648 "I am in a meeting.";
vacation :seconds "3600" "I am in a meeting.";
vacation :seconds "I am in a meeting.";
