const SEPARATORS = /[^\p{L}\p{N}]+/u;

/**
 * Traefik's provider.Normalize: every run of characters that are neither letters nor
 * digits becomes one `-`, and none is left at either end (`/shop_web.1` → `shop-web-1`).
 */
export const normalize = (name: string): string => name.split(SEPARATORS).filter(Boolean).join('-');
