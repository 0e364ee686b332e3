export * from "./clouds";
export * from "./settings";
export * from "./credential";
export { RenewableCredential, isRenewable, type RenewableTokenCredential } from "./renewable-credential";
export { describeSetting, specFor } from "./settings-table";
