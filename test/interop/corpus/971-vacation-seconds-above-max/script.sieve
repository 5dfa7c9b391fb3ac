require ["vacation", "vacation-seconds"];
vacation :seconds 99999999 "Away.";
