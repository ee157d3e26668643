// Test helpers of the search lib.
export {};
