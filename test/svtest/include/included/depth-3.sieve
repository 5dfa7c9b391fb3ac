require "fileinto";

fileinto "Deep";
