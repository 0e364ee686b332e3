// National clouds: where Graph and Entra live in each (contract §3.4). Tokens of one cloud are not valid in another.

export type CloudName = "public" | "usgovernment" | "usgovernmentdod" | "china";

export interface CloudEndpoints {
    /** Graph origin; the client adds /beta. */
    graphEndpoint: string;
    /** Entra authority host. */
    authorityHost: string;
    /**
     * Whether Graph documents importSnapshot and purgeImportedSnapshot in this cloud: global, US Gov L4 and US Gov L5
     * (DoD), not China (the pages' national-cloud table, includes/global-us.md). Not a block: see snapshotImportCloudHint.
     */
    snapshotImportDocumented: boolean;
}

export const CLOUDS: Readonly<Record<CloudName, CloudEndpoints>> = Object.freeze({
    public: {
        graphEndpoint: "https://graph.microsoft.com",
        authorityHost: "https://login.microsoftonline.com",
        snapshotImportDocumented: true,
    },
    usgovernment: {
        graphEndpoint: "https://graph.microsoft.us",
        authorityHost: "https://login.microsoftonline.us",
        snapshotImportDocumented: true,
    },
    usgovernmentdod: {
        graphEndpoint: "https://dod-graph.microsoft.us",
        authorityHost: "https://login.microsoftonline.us",
        snapshotImportDocumented: true,
    },
    china: {
        graphEndpoint: "https://microsoftgraph.chinacloudapi.cn",
        authorityHost: "https://login.chinacloudapi.cn",
        snapshotImportDocumented: false,
    },
});

export const CLOUD_NAMES: readonly CloudName[] = Object.keys(CLOUDS) as CloudName[];

/** The national cloud whose Graph is at `graphEndpoint` (an origin or URL), or undefined (an emulator, a proxy...). */
export function cloudOfGraphEndpoint(graphEndpoint: string): CloudName | undefined {
    let host: string;
    try {
        host = new URL(graphEndpoint).host.toLowerCase();
    } catch {
        return undefined;
    }
    return CLOUD_NAMES.find((c) => new URL(CLOUDS[c].graphEndpoint).host === host);
}

/**
 * What to add to Graph's refusal of importSnapshot or purgeImportedSnapshot in a cloud where Microsoft does not
 * document them (China). The provider does not block them there (a cloud may gain them before the docs say so): it
 * says why Graph may have refused instead. Undefined for the documented clouds and for endpoints of no known cloud.
 */
export function snapshotImportCloudHint(graphEndpoint: string): string | undefined {
    const cloud = cloudOfGraphEndpoint(graphEndpoint);
    if (cloud === undefined || CLOUDS[cloud].snapshotImportDocumented) return undefined;
    return (
        `Microsoft documents importSnapshot and purgeImportedSnapshot for the global cloud, US Government L4 and ` +
        `US Government L5 (DoD) only, not for ${cloud === "china" ? "Microsoft Azure operated by 21Vianet (China)" : cloud}: ` +
        `Graph may not offer them at ${new URL(graphEndpoint).host}.`
    );
}

// Names other tools use for the same clouds (Terraform azurerm, Azure CLI, @azure/identity, Graph docs).
// Compared after lower-casing and dropping spaces, dashes and underscores.
const ALIASES: Readonly<Record<string, CloudName>> = {
    public: "public",
    global: "public",
    azure: "public",
    azurecloud: "public",
    azurepubliccloud: "public",
    azureglobal: "public",
    azureglobalcloud: "public",
    commercial: "public",
    worldwide: "public",
    gcc: "public",
    usgovernment: "usgovernment",
    usgov: "usgovernment",
    usgovernmentl4: "usgovernment",
    usgovl4: "usgovernment",
    azureusgovernment: "usgovernment",
    azureusgovernmentcloud: "usgovernment",
    gcchigh: "usgovernment",
    l4: "usgovernment",
    usgovernmentdod: "usgovernmentdod",
    usgovdod: "usgovernmentdod",
    dod: "usgovernmentdod",
    usgovernmentl5: "usgovernmentdod",
    usgovl5: "usgovernmentdod",
    azureusgovernmentdod: "usgovernmentdod",
    l5: "usgovernmentdod",
    china: "china",
    azurechinacloud: "china",
    azurechina: "china",
    chinacloud: "china",
    mooncake: "china",
    "21vianet": "china",
};

/** The cloud for a name or alias (case-insensitive), or undefined when unknown. */
export function cloudFromName(name: string): CloudName | undefined {
    return ALIASES[name.toLowerCase().replace(/[\s_-]/g, "")];
}

/**
 * Entra's own authority hosts. For any other host (an emulator, a private STS) @azure/identity must be given
 * `disableInstanceDiscovery: true`, or MSAL first asks login.microsoftonline.com to validate the authority.
 */
export const ENTRA_AUTHORITY_HOSTS: ReadonlySet<string> = new Set([
    "login.microsoftonline.com",
    "login.microsoft.com",
    "login.windows.net",
    "sts.windows.net",
    "login-us.microsoftonline.com",
    "login.microsoftonline.us",
    "login.usgovcloudapi.net",
    "login.cloudgovapi.us",
    "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn",
    "login.microsoftonline.de",
]);

/** True when `authorityHost` (URL or bare host) is not one of Entra's own hosts; see ENTRA_AUTHORITY_HOSTS. */
export function shouldDisableInstanceDiscovery(authorityHost: string): boolean {
    let host: string;
    try {
        host = new URL(authorityHost.includes("://") ? authorityHost : `https://${authorityHost}`).hostname;
    } catch {
        return true;
    }
    return !ENTRA_AUTHORITY_HOSTS.has(host.toLowerCase().replace(/\.$/, ""));
}
