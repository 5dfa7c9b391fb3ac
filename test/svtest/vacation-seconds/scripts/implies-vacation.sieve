require "vacation-seconds";

vacation :seconds 1800 :subject "In a meeting" "Back in half an hour.";
