import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type UserRole = 'owner' | 'admin' | 'practitioner' | 'agent';
export type Locale = 'sv' | 'en';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** null for support agents, who belong to no customer organization */
  @Column('uuid', { name: 'organization_id', nullable: true })
  organizationId: string | null;

  /** as provisioned, for display and for addressing mail */
  @Column('text')
  email: string;

  /** lower-cased, IDN domain in ASCII: the sign-in and sender-match key */
  @Column('text', { name: 'email_normalized' })
  emailNormalized: string;

  @Column('text')
  name: string;

  @Column('text')
  role: UserRole;

  @Column('text', { name: 'password_hash', select: false })
  passwordHash: string;

  @Column('text', { default: 'en' })
  locale: Locale;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
