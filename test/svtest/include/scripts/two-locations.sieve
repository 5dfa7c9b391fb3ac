require "include";

include :personal :global "where";
