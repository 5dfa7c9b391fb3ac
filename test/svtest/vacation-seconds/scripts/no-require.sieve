require "vacation";

vacation :seconds 3600 "I am in a meeting.";
