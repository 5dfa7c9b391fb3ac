require ["vacation", "vacation-seconds"];
vacation :seconds 3600 :handle "h1" :subject "Out" "Away.";
