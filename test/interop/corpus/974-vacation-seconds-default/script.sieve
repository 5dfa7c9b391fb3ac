require ["vacation", "vacation-seconds"];
vacation "Away.";
