require ["vacation", "vacation-seconds"];
vacation :seconds 7200 "Away.";
