import type { INodeProperties } from 'n8n-workflow';

/** Constant Contact's own entries of "Options" in every version (an option added here appears in both). */
export const constantContactOptions: INodeProperties[] = [];
